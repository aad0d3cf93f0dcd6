<?php
// core layout (abbreviated from SuiteCRM 7.14 modules/Contacts/metadata/searchdefs.php)
$searchdefs['Contacts'] = array(
    'templateMeta' => array('maxColumns' => '3', 'maxColumnsBasic' => '4',
                            'widths' => array('label' => '10', 'field' => '30')),
    'layout' => array(
        'basic_search' => array(
            array('name' => 'search_name', 'label' => 'LBL_NAME', 'type' => 'name'),
            array('name' => 'current_user_only', 'label' => 'LBL_CURRENT_USER_FILTER', 'type' => 'bool'),
        ),
        'advanced_search' => array(
            'first_name' => array('name' => 'first_name', 'default' => true, 'width' => '10%'),
            'email' => array('name' => 'email', 'label' => 'LBL_ANY_EMAIL', 'type' => 'name',
                             'default' => true, 'width' => '10%'),
        ),
    ),
);
