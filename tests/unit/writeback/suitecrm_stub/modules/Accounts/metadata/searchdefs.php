<?php
// core layout (abbreviated from SuiteCRM 7.14 modules/Accounts/metadata/searchdefs.php)
$searchdefs['Accounts'] = array(
    'templateMeta' => array('maxColumns' => '3', 'maxColumnsBasic' => '4',
                            'widths' => array('label' => '10', 'field' => '30')),
    'layout' => array(
        'basic_search' => array(
            'name' => array('name' => 'name', 'default' => true, 'width' => '10%'),
            array('name' => 'favorites_only', 'label' => 'LBL_FAVORITES_FILTER', 'type' => 'bool'),
        ),
        'advanced_search' => array(
            'name' => array('name' => 'name', 'default' => true, 'width' => '10%'),
            'industry' => array('name' => 'industry', 'default' => true, 'width' => '10%'),
        ),
    ),
);
