<?php
// core layout (abbreviated from SuiteCRM 7.14 modules/Contacts/metadata/listviewdefs.php)
$listViewDefs['Contacts'] = array(
    'NAME' => array('width' => '20%', 'label' => 'LBL_LIST_NAME', 'link' => true, 'orderBy' => 'name',
                    'default' => true, 'related_fields' => array('first_name', 'last_name')),
    'TITLE' => array('width' => '15%', 'label' => 'LBL_LIST_TITLE', 'default' => true),
    'EMAIL1' => array('width' => '15%', 'label' => 'LBL_LIST_EMAIL_ADDRESS', 'sortable' => false,
                      'link' => true, 'customCode' => '{$EMAIL1_LINK}', 'default' => true),
    'PHONE_WORK' => array('width' => '15%', 'label' => 'LBL_OFFICE_PHONE', 'default' => false),
);
